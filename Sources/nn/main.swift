import NNCommands

nnMain()
