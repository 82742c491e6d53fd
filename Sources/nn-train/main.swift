import NNCommands

nnMain(.train)
