"""The web: one Starlette app over an engine, for people (pages in ja and en) and programs.

app: the app factory, the one error shape, the request log; server: the release to serve and
uvicorn (protocol: its HTTP protocol with our limits, handing connections to workers); site: the
explicit state; endpoint and service_description: the SPARQL 1.1 Protocol (direct: what a worker
answers on a connection of its own);
deref: resource IRIs with content negotiation (http: negotiation and conditional requests);
api: stored queries as an API with OpenAPI; downloads: dumps and the dataset description;
pages, query_pages, pictures, search, views, ontology_doc, i18n, messages, html: the human pages;
assets: the vendored front-end files. Templates and static files live beside them.

May import: sparql/, publish/ and the top level."""
