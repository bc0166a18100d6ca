# No inputs: the module reads the provider it is given (the calling module's default aws).
