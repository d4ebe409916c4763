# mgi-report: `make kazakhstan-de.pdf` builds one profile, `make test` runs the tests.
# Both do all set-up themselves (a .venv with the package, system libraries).

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
CONTENT ?= content
MGI     := $(BIN)/mgi-report
STAMP   := $(VENV)/.installed

# Everything a PDF depends on besides its own content files (its country's
# profile.yaml, its language's file, non-YAML files such as a logo, the
# series' publisher.yaml and a follow-up's baseline folder).
PROGRAM := $(STAMP) $(shell find src/mgi_report layouts -type f \
             ! -name '*.pyc' ! -path '*/__pycache__/*' \
             ! -path 'layouts/site/*' ! -path 'src/mgi_report/web/*' 2>/dev/null) \
           $(wildcard fonts/*.ttf icc/*.icc)

# COUNTRY-LANG[-EDITION].pdf -> its parts (a country may contain hyphens).
edition = $(if $(filter %-print,$1),print,$(if $(filter %-archive,$1),archive,screen))
base    = $(patsubst %-print,%,$(patsubst %-archive,%,$1))
lang    = $(lastword $(subst -, ,$(call base,$1)))
country = $(patsubst %-$(call lang,$1),%,$(call base,$1))
# A follow-up's baseline folder, where profile.yaml names it on one line
# (`baseline: {profile: NAME}`, as `new` and the README write it).
baseline = $(shell sed -n 's/^baseline: *{ *profile: *\([A-Za-z0-9_-]*\) *}.*/\1/p' \
             $(CONTENT)/$(call country,$1)/profile.yaml 2>/dev/null)
deps    = $(PROGRAM) $(wildcard locale/$(call lang,$1)/LC_MESSAGES/messages.po \
                       locale/$(call lang,$1)/hyphenation.txt) \
          $(wildcard $(CONTENT)/$(call country,$1)/profile.yaml \
                     $(CONTENT)/$(call country,$1)/$(call lang,$1).yaml \
                     $(CONTENT)/publisher.yaml) \
          $(filter-out %.yaml,$(wildcard $(CONTENT)/$(call country,$1)/*)) \
          $(foreach b,$(call baseline,$1),$(wildcard $(CONTENT)/$b/*))

ALL_PDFS := $(sort $(foreach f,$(wildcard $(CONTENT)/*/??.yaml), \
              $(notdir $(patsubst %/,%,$(dir $f)))-$(basename $(notdir $f)).pdf))

# The profiles' open data (`make data`): each profile's JSON, and the GCM table.
DATA     ?= data
ALL_DATA := $(addprefix $(DATA)/,$(ALL_PDFS:.pdf=.json))

.PHONY: all setup test fuzz check list pot po init-lang clean golden help bench serve examples \
        data site site-examples site-serve
.DEFAULT_GOAL := help
.SECONDEXPANSION:

help:
	@echo "make COUNTRY-LANG.pdf   build one profile (e.g. make kazakhstan-de.pdf)"
	@echo "make all                build every country x language in $(CONTENT)/"
	@echo "make examples           build the fictional complete example (examples/) into examples/pdf/"
	@echo "make data               every profile's data (JSON) and the GCM table (CSV) into $(DATA)/"
	@echo "make serve              keep a warm renderer running: each make X.pdf then skips start-up"
	@echo "make site               the web edition of $(CONTENT)/ into site/ (site-examples: examples/)"
	@echo "make site-serve         the web edition previewed on http://127.0.0.1:8000/, rebuilt on save"
	@echo "make test               run the test suite"
	@echo "make fuzz               property-based tests with many more examples"
	@echo "make check              validate all content"
	@echo "make list               the profiles: country x language"
	@echo "make pot | po           extract layout strings | update the .po catalogs"
	@echo "make bench              batch benchmark (minutes; writes bench/RESULTS.md)"
	@echo ""
	@echo "The command itself is .venv/bin/mgi-report: '. .venv/bin/activate' puts it on the"
	@echo "PATH of this shell (README, 'Running mgi-report')."

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@sh scripts/setup-system.sh
	@touch $@

setup: $(STAMP)

%.pdf: $$(call deps,$$*)
	$(MGI) build $(call country,$*) --lang $(call lang,$*) --edition $(call edition,$*) \
	  --content $(CONTENT) -o $@

all: $(ALL_PDFS)

# Each profile's data as `mgi-report export` writes it, and the findings per GCM
# objective of every profile (README, "Open data").
data: $(ALL_DATA) $(DATA)/gcm.csv

$(DATA)/%.json: $$(call deps,$$*)
	$(MGI) export $(call country,$*) --lang $(call lang,$*) --content $(CONTENT) -o $@

$(DATA)/gcm.csv: $(STAMP) $(wildcard $(CONTENT)/*/*.yaml)
	$(MGI) export --all --gcm --content $(CONTENT) --format csv -o $@

# The fictional complete profile, the model of every feature (README).
examples: $(STAMP)
	$(MGI) build --all --content examples --out examples/pdf --edition screen

serve: $(STAMP)
	$(MGI) serve

# The web edition (README, "The web edition"): a static site, only changed pages written.
SITE ?= site
site: $(STAMP)
	$(MGI) site --content $(CONTENT) --out $(SITE)
site-examples: $(STAMP)
	$(MGI) site --content examples --out site-examples
site-serve: $(STAMP)
	$(MGI) site --content $(CONTENT) --out $(SITE) --serve

check: $(STAMP)
	$(MGI) check --content $(CONTENT)

list: $(STAMP)
	@$(MGI) list --content $(CONTENT)

test: $(STAMP)
	@sh scripts/setup-system.sh --test
	$(BIN)/python -m pytest -q -n auto --dist loadfile --durations=15

# The property-based tests with many more generated examples (minutes, not seconds).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_properties.py

# The gettext cycle (Babel): extract the layout's strings, then update catalogs.
pot: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c Translators: --no-wrap --sort-by-file \
	  --project=mgi-report --copyright-holder="mgi-report authors" \
	  -o locale/messages.pot .
po: pot
	$(BIN)/pybabel update --no-wrap -i locale/messages.pot -d locale
init-lang: pot
	@test -n "$(NEW)" || { echo "usage: make init-lang NEW=xx"; exit 2; }
	$(BIN)/pybabel init -i locale/messages.pot -d locale -l $(NEW) --no-wrap

# The batch benchmark: synthetic profiles in a temporary folder (bench/run.py).
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/complete.py

# Leftovers of killed builds are hidden `.NAME.pdf.*.tmp` files (never a target).
clean:
	rm -rf .cache *.pdf .*.pdf.*.tmp site site-examples

# Refresh the golden HTML after an intended layout change; review the diff.
golden: $(STAMP)
	MGI_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_compose.py -k golden
