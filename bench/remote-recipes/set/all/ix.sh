{"run": {"deps": ["bin/work1", "bin/work2", "bin/work3", "bin/work4"]}}
