"""The demo commons: a generator of realistic members' files, and the loader that imports them."""
