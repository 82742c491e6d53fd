import NNCommands

nnMain(.diff)
