# The commands the README names. Needs Python 3.11+; nothing else (SQLite and a file broker
# are the defaults). Set DATABASE_URL / CELERY_BROKER_URL for PostgreSQL / Redis.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run setup demo test lint bench mutation clean serve-prod worker beat

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# The development run is DEBUG=1 unless told otherwise (settings.py: DEBUG is off once a
# SECRET_KEY is given, so a developer's shell that exports one still gets the development run).
demo run: export DEBUG ?= 1

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_plans
	$(BIN)/python manage.py seed_demo

## make run: install, migrate, load the 2024 plans and demo data, serve on 127.0.0.1:8000
run: demo
	PATH="$(abspath $(BIN)):$$PATH" bin/serve

## make serve-prod: production (DEBUG off; the environment of README "Deploy"): migrate,
## collectstatic, gunicorn. make worker / make beat: the Celery worker and the one beat.
serve-prod: setup
	PATH="$(abspath $(BIN)):$$PATH" bin/serve-production

worker: setup
	PATH="$(abspath $(BIN)):$$PATH" bin/worker

beat: setup
	PATH="$(abspath $(BIN)):$$PATH" bin/beat

## make test: install and run the whole test suite
test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

## make bench: the performance figures at 10k, 100k and 1M parcels, in a database of their own
## (DATABASE_URL's name + _bench, dropped at the end). SIZE=1000000: one size; ONLY=pages: one figure
bench: setup
	$(BIN)/python bench/run.py $(if $(SIZE),--size $(SIZE)) $(if $(ONLY),--only $(ONLY))

# The rules and the services that enforce deadlines (mutmut names: module.x_function__mutmut_N).
MUTANTS := "assessments.rules.*" "plans.rules.*" "landsupply.workdays.*" \
	$(foreach f,contract_recompute contract_award contract_start_lease assessment_apply \
	  assessment_decide notice_receipt_record transfer_apply transfer_contract_sign \
	  land_price_pay title_register renewal_apply renewal_decide exit_apply _apply_settlement \
	  exit_complete violation_record,"assessments.services.x_$(f)__mutmut_*") \
	"plans.services.x__check_filing_date__mutmut_*" "plans.services.x_plan_year_close__mutmut_*"

## make mutation: mutation testing of the rules and deadline services (mutmut; outside CI, ~1 h)
mutation: setup
	rm -rf mutants var/mutation-test.sqlite3
	mkdir -p var
	LANDSUPPLY_TEST_DB_FILE=$(abspath var/mutation-test.sqlite3) \
	  $(BIN)/mutmut run --max-children 1 $(MUTANTS) > var/mutation.log 2>&1 || true
	$(BIN)/python bin/mutation_score $(MUTANTS)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles mutants
