import NNCommands

nnMain(.runs)
