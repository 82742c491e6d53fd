import NNCommands

nnMain(.eval)
