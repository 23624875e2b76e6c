"""Files of a compliance run: chart (.png), consolidated report (.docx), workbook (.xlsx) and web page (.html)."""
