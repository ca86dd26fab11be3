"""事务大厅（中心办公室） Hall office: the people and rules of the one-stop hall."""
