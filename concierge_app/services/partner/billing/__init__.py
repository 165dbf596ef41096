"""Partner billing: month-end runs, statements, commission rates, the issued message."""
