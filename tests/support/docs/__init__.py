"""Docs that are tested: the examples of README.md and docs/*.md are produced by running
them, and `python -m tests.support.docs --update` writes what they produce back into the
docs (`make docs`); `tests/test_docs_examples.py` runs the same examples and fails when a
doc shows anything else.

A doc marks what is run with an HTML comment before a fenced block (`markdown`):

- a ```` ```console ```` block: each `$ command` line runs in a shell (`console`), on a
  store holding the demo ledger of `palabra demo --today 2026-11-22`, at a fixed clock
  (`clock`), and the lines under it are its output;
- a ```` ```sh ```` block's `$ command` lines run the same way and must succeed; what they
  print is not shown;
- `<!-- docs: graphql role=R [at=T] -->` before a ```` ```graphql ```` block, then
  `variables:` and `answer:` JSON blocks: the request is posted to the real app
  (`api.http.create_app`) with R's key, at moment T, and `answer:` is its JSON (`exchanges`);
  `<!-- docs: again -->` before an `answer:` posts the previous request once more;
- `<!-- docs: get role=R -->` before a ```` ```text ```` block whose first line is
  `$ curl … 'URL'`: the rest is the answer to GET URL; `<!-- docs: post role=R -->` the same
  for a `$ printf 'BODY' | curl … 'URL'` line, posting BODY's bytes;
- `<!-- docs: socket -->` before a ```` ```text ```` block of `→ message` and `← message`
  lines: a graphql-transport-ws conversation, each `→` sent and the `←` received under it;
- `<!-- docs: client -->` before a ```` ```python ```` or ```` ```js ```` snippet, then a
  `prints:` block: the snippet runs against a real `palabra serve` (`clients`); the update
  writes what it prints, and tests/test_docs_clients.py checks it;
- `<!-- docs: not run: REASON -->` before a block: shown as is, and the doc says why.

The modules: `runner` (check, update, DOCS), `markdown`, `console`, `exchanges`,
`clients`, `layout`,
and `clock` (the fixed moment; `python -m tests.support.docs.clock ARGS` is `palabra ARGS`
at that moment).
"""
