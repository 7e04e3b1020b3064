"""The traceability matrix (需求跟踪矩阵): requirements traced to the plan's interfaces and tests, the register's
risks and the 5-Why root needs, with the gaps between them."""
