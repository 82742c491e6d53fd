import NNCommands

nnMain(.sweep)
