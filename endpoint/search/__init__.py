"""Finding co-operatives: the directory search page and API, its per-audience index, CSV
answers, the embeddable widget and the statistics charts."""
