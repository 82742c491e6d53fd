import NNCommands

nnMain(.fetch)
