import NNCommands

nnMain(.predict)
