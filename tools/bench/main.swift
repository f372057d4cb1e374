// Placeholder entry point replaced by the benchmark commands (conv, resnet50) in this issue.
print("bench: no command yet")
