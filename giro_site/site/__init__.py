"""The site: URLs, the model of agencies, settings; what builds, what renders pages, what writes downloads."""
