# The two commands of the README, plus a few helpers.
.PHONY: run test setup stop bench clean

run:    ## start Odoo with mcp_bridge and demo data, print the MCP URL and a demo key
	@bash scripts/run.sh

test:   ## run the whole test suite (pytest)
	@bash scripts/test.sh

setup:  ## install what is missing (Odoo 18, dev requirements, client tools)
	@bash scripts/setup.sh

stop:   ## stop the private PostgreSQL cluster
	@bash scripts/pg.sh stop

bench:  ## benchmarks (not tests): ratios measured side by side
	@bash scripts/bench/run.sh

clean:  ## stop PostgreSQL and delete all local state (.local/)
	@bash scripts/pg.sh stop; rm -rf .local
