"""The statutory 政府信息公开工作年度报告: its templates, file, checks, counts, pages and deadline."""
