# Lint targets for the collection's ecosystem files: ansible-lint (roles, playbooks, examples,
# galaxy.yml, meta/), antsibull-changelog and antsibull-docs. All run offline.
#
# Included by the Makefile, after its variables (VENV_BIN, STAMP, COLLECTIONS_DIR, IN_STAGED)
# and its `collection` target:
#
#   include mk/ecosystem.mk
#   test: units integration sanity lint changelog-lint docs-lint
#
#   make lint            ansible-lint, production profile (.ansible-lint, .ansible-lint-ignore)
#   make changelog-lint  antsibull-changelog lint (changelogs/config.yaml, changelogs/fragments/)
#   make docs-lint       antsibull-docs lint-collection-docs: plugin and role docs, docs/docsite/

.PHONY: lint changelog-lint docs-lint

# From the source tree, so findings name the files to edit; csp.partnercenter.* resolves from
# the staged copy, and --offline keeps ansible-lint from installing anything.
lint: $(STAMP) collection
	PATH="$(VENV_BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_DIR)" \
		"$(VENV_BIN)/ansible-lint" --offline

changelog-lint: $(STAMP)
	"$(VENV_BIN)/antsibull-changelog" lint

# antsibull-docs runs ansible-doc (found on PATH) against the staged copy.
docs-lint: $(STAMP) collection
	$(IN_STAGED) "$(VENV_BIN)/antsibull-docs" lint-collection-docs --plugin-docs --check-extra-docs-refs .
