"""A cheaper call of an ``@tools.ormcache`` method on a hit.

Odoo's ``ormcache`` wraps the method with the ``decorator`` package, whose
wrapper binds every call's arguments to the signature (``inspect``) before
the cache is even looked at: about 5 µs of the 13 µs of a cached call of
``_subscribed_models``, paid by each ``write``, and by the request path for
each settings, rules or key-cache read (about 14 per ``tools/call``). The
registry's cache is an ``odoo.tools.lru.LRU`` whose ``__getitem__`` is
wrapped the same way (``@locked``): another binding of about 4 µs.

:func:`cached` looks the value up as the decorator would (same cache, same
key, same hit counter; a miss computes and stores it through Odoo's own
``lookup``), without either binding: the LRU's undecorated ``__getitem__``
(``__wrapped__``, the ``decorator`` package's public attribute) is one dict
read and one ``move_to_end``, each atomic under the GIL; an entry dropped
by another thread in between is a ``KeyError``, taken as a miss.
``tests/test_ormcache_hit.py`` pins the Odoo behaviour this relies on.
"""
from odoo.tools.lru import LRU

#: ``LRU.__getitem__`` without its lock wrapper (None: Odoo changed, then
#: every lookup goes through ``ormcache``'s own ``lookup``).
LRU_GET = getattr(LRU.__getitem__, "__wrapped__", None)


def cached(records, method_name, *args):
    """``records.<method_name>(*args)`` for a method decorated with
    ``@tools.ormcache`` (positional arguments only); a method that an
    override made uncached is simply called."""
    method = getattr(type(records), method_name)
    cache = getattr(method, "__cache__", None)
    if cache is None:
        return method(records, *args)
    if LRU_GET is not None:
        lru, key0, counter = cache.lru(records)
        if type(lru) is LRU:
            try:
                value = LRU_GET(lru, key0 + cache.key(records, *args))
            except KeyError:
                pass  # a miss: Odoo's lookup computes and stores it
            else:
                counter.hit += 1
                return value
    return cache.lookup(cache.method, records, *args)
