import NNCommands

nnMain(.mlflow)
