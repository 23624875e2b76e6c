"""Weekly compliance: snapshots of every active directive, the consolidated report and its files."""
