import NNCommands

nnMain(.prepare)
