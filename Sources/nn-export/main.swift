import NNCommands

nnMain(.export)
