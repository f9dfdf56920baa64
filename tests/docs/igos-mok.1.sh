# tests/t/996: igos-mok(1)'s examples: the efivars of the sandbox, a MOK in the
# working directory for the --hash-file example; passwords typed at the prompts.
docs_mok .
doc_tty "igos-mok import /etc/igos/mok.der" docs-password docs-password
doc_tty "openssl passwd -6*" docs-password docs-password
