# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""``models/ormcache_hit.py``: the cheap path of a cached lookup gives what
the ``@ormcache`` method gives, counts hits and misses like Odoo, and the
Odoo behaviour it relies on (the LRU's undecorated ``__getitem__``) holds."""
from odoo.tests import TransactionCase, tagged
from odoo.tools import lru

from ..models import ormcache_hit


@tagged("post_install", "-at_install")
class TestOrmcacheHit(TransactionCase):
    def test_odoo_still_has_what_the_fast_path_reads(self):
        self.assertIsNotNone(ormcache_hit.LRU_GET, "odoo.tools.lru.LRU.__getitem__ lost __wrapped__")
        cache = lru.LRU(2)
        cache["a"] = 1
        cache["b"] = 2
        self.assertEqual(ormcache_hit.LRU_GET(cache, "b"), 2)
        self.assertEqual(ormcache_hit.LRU_GET(cache, "a"), 1)  # and "a" becomes the newest
        cache["c"] = 3  # evicts the oldest: "b"
        self.assertEqual(set(cache), {"a", "c"})
        with self.assertRaises(KeyError):
            ormcache_hit.LRU_GET(cache, "b")

    def test_same_value_as_the_method_and_counted_like_odoo(self):
        Rules = self.env["mcp.model.access"]
        method = type(Rules)._get_rules_map
        stat = method.__cache__.lru(Rules)[2]
        self.env.registry.clear_cache()
        misses, hits = stat.miss, stat.hit
        first = ormcache_hit.cached(Rules, "_get_rules_map")  # a miss: computed and stored
        self.assertEqual((stat.miss, stat.hit), (misses + 1, hits))
        second = ormcache_hit.cached(Rules, "_get_rules_map")
        self.assertIs(second, first)
        self.assertEqual((stat.miss, stat.hit), (misses + 1, hits + 1))
        self.assertIs(Rules._get_rules_map(), first)  # the decorated method finds the same entry

    def test_a_cleared_cache_is_computed_again(self):
        Rules = self.env["mcp.model.access"]
        country = self.env.ref("base.model_res_country")
        Rules.search([("model_id", "=", country.id)]).unlink()
        before = ormcache_hit.cached(Rules, "_get_rules_map")
        self.assertNotIn("res.country", before)
        self.env["mcp.model.access"].create({"model_id": country.id, "perm_read": True})
        after = ormcache_hit.cached(Rules, "_get_rules_map")
        self.assertIsNot(after, before)
        self.assertIn("res.country", after)
