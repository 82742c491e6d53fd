import NNCommands

nnMain(.report)
