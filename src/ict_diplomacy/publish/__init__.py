"""Publishing the graph: from the source files to a release on disk.

Parse the Turtle sources (sources), validate them (validate, shacl_sparql: SHACL run as SPARQL),
build a release atomically (build: store, dumps, catalog with DCAT and VoID, manifest), read a
release back (release), report on the data (stats), generate reference links (links).

May import: the top level (project, errors, formats, settings). Never sparql/ or web/."""
