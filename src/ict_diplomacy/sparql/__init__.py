"""Running SPARQL: the one engine interface and everything about query text and answers.

engine: the Engine interface, the concurrency gate, answers read back as terms; connect:
`open_engine`, which picks and starts the engine the settings ask for;
workers: the embedded engine (killable worker processes over a release), answer: a worker's
side of a request, connections: the connections a worker answers itself (slots: what it shares
with the server process meanwhile); remote: any SPARQL 1.1
endpoint behind the same interface; cache: complete answers of the immutable release;
text: the one reader of SPARQL text (masking, the policy guard, VALUES binding); queries: the
catalogue of stored queries (load, check, bind, run); render: their answers as the CLI prints them.

May import: publish/ and the top level. Never web/."""
