"""Reading the content folder: finding record files, YAML and Markdown records, spreadsheet lists."""
