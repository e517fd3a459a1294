"""What a season's figures say: the season page's figures and the season report (page, CSV, XLSX, PDF)."""
