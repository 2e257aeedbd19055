"""giro-site: annual government-information-disclosure reports into a transparency site."""

# Bump when a change to reading, mapping or checking can change a report's JSON: the
# build cache keys parsed reports on it, so a bump re-parses everything.
PARSER_VERSION = "13"
