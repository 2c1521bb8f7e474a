import re
from tests.test_first_visit import client, text_of
def test_x(client):
    for url in ["/id/", "/id/country/", "/id/country/?sort=mentions", "/id/country/?format=csv&bom=1", "/id/country", "/activities?lang=ja", "/activities?country=country/BR&year=2019", "/sitemap.xml", "/robots.txt", "/", "/dumps/", "/sparql", "/id/zzz", "/id/country/ZZ", "/timeline?country=xx"]:
        r=client.get(url, headers={"Accept":"text/html"}, follow_redirects=False)
        print(url, r.status_code, r.headers.get("content-type"), r.headers.get("location"), text_of(r.text)[:300].replace("\n"," ") if "html" in r.headers.get("content-type","") else r.text[:300])
