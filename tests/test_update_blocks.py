"""A long INSERT DATA is split into operations, and a blank node's triples never straddle two
of them: SPARQL scopes a blank node label to one operation (pyoxigraph refuses a label shared
by two), so the split once made the vocabulary fail to load when an OWL list crossed it."""
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from datacommons import sparqlstore
from datacommons.sparqlstore import data_update

G = NamedNode("http://example.org/graph")
P = NamedNode("http://example.org/p")


def test_a_blank_nodes_triples_stay_in_one_operation_when_the_update_is_split(monkeypatch):
    monkeypatch.setattr(sparqlstore, "DATA_BLOCK", 3)
    b, c = BlankNode(), BlankNode()
    quads = [Quad(NamedNode(f"http://example.org/s{i}"), P, Literal(str(i)), G) for i in range(2)]
    quads += [Quad(NamedNode("http://example.org/list"), P, b, G), Quad(b, P, Literal("first"), G),
              Quad(b, P, c, G), Quad(c, P, Literal("second"), G)]
    text = data_update("INSERT DATA", quads)
    assert text.count("INSERT DATA") == 2  # split, but not through the list
    store = Store()
    store.update(text)
    assert len(store) == len(quads)
    assert len(list(store.query("SELECT ?x WHERE { GRAPH ?g { <http://example.org/list> ?p ?b . "
                                "?b ?q ?c . ?c ?r ?x } }"))) == 1
