"""Reading the report's prose: sections by their headings, who published it, the narrative and headline figures."""
