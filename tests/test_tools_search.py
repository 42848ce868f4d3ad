from unittest.mock import patch

from odoo.tests import tagged

from ..models.mcp_guard_rules import MSG_DOMAIN_ARITY, MSG_DOMAIN_ID_ONLY
from ..protocol.errors import McpAccessDenied
from ..tools.search_read import count_statement, search_page
from .tools_common import ToolsCase


@tagged("post_install", "-at_install")
class TestSearchTools(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be = cls.env.ref("base.be")
        cls.tag = cls.env["res.partner.category"].create({"name": "MCP tag"})
        cls.partners = cls.env["res.partner"].create([
            {"name": "MCP Zeta %02d" % i, "email": "z%d@mcp.test" % i, "country_id": cls.be.id,
             "is_company": i % 2 == 0, "category_id": [(6, 0, cls.tag.ids)]}
            for i in range(25)
        ])
        cls.mcp_domain = [["name", "=like", "MCP Zeta %"]]

    # list_models -----------------------------------------------------------
    def test_list_models_filter_and_pagination(self):
        result = self.run_tool("list_models", {"query": "partner"})
        names = [m["model"] for m in result["models"]]
        self.assertIn("res.partner", names)
        self.assertTrue(all("partner" in m["model"] or "partner" in m["name"].lower() for m in result["models"]))
        self.assertNotIn("res.users", names)
        page1 = self.run_tool("list_models", {"limit": 5})
        self.assertEqual(page1["count"], 5)
        self.assertEqual(page1["next_offset"], 5)
        page2 = self.run_tool("list_models", {"limit": 5, "offset": page1["next_offset"]})
        self.assertFalse({m["model"] for m in page1["models"]} & {m["model"] for m in page2["models"]})
        everything = self.run_tool("list_models", {}, settings={"max_records": 1000})
        self.assertNotIn("res.users", [m["model"] for m in everything["models"]])
        self.assertIsNone(everything["next_offset"])

    # search_read -----------------------------------------------------------
    def test_search_read_happy_path(self):
        result = self.run_tool("search_read", {
            "model": "res.partner", "domain": self.mcp_domain,
            "fields": ["name", "email", "country_id", "is_company", "category_id", "create_date", "type"],
            "order": "name desc", "limit": 3, "count_total": True,
        })
        self.assertEqual(result["count"], 3)
        self.assertEqual(result["total"], 25)
        self.assertEqual(result["next_offset"], 3)
        self.assertEqual(result["tz"], "Europe/Brussels")
        first = result["records"][0]
        self.assertEqual(first["name"], "MCP Zeta 24")
        self.assertEqual(first["country_id"], [self.be.id, "Belgium"])
        self.assertEqual(first["category_id"], self.tag.ids)
        self.assertIs(first["is_company"], True)
        self.assertTrue(first["create_date"].endswith("Z"))
        self.assertEqual(first["type"], {"value": "contact", "label": "Contact"})
        self.assertEqual(list(first)[0], "id")

    def test_search_read_default_fields(self):
        """Without fields, search_read returns the columns of the model's list
        view as Odoo renders it for the user (never a hidden or heavy field)."""
        result = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain, "limit": 1})
        fields = result["fields"]
        self.assertEqual(fields[:2], ["id", "display_name"])
        self.assertLessEqual(len(fields), 22)
        columns = self.uenv["mcp.discovery"].list_columns("res.partner")
        self.assertIn("email", columns)
        self.assertEqual(fields[2:], [f for f in columns if f in fields and f not in ("id", "display_name")])
        self.assertIn("email", fields)
        partner_fields = self.env["res.partner"]._fields
        for fname in fields[2:]:
            self.assertNotIn(partner_fields[fname].type, ("binary", "html", "one2many"), fname)
        self.assertNotIn("user_ids", fields)
        self.assertEqual(set(result["records"][0]), set(fields))
        # read keeps its own small default set
        read = self.run_tool("read", {"model": "res.partner", "ids": [self.partners[0].id]})
        self.assertIn("name", read["fields"])

    def test_search_read_pagination_to_the_end(self):
        seen, offset, pages = [], 0, 0
        while offset is not None:
            result = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain,
                                                   "fields": ["name"], "order": "id", "limit": 10,
                                                   "offset": offset})
            seen += [r["id"] for r in result["records"]]
            # more pages follow: not counted (no count_total); the last page tells the total
            self.assertEqual(result["total"], None if result["next_offset"] else 25)
            offset = result["next_offset"]
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(seen, self.partners.sorted("id").ids)
        beyond = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain,
                                               "fields": ["name"], "offset": 100})
        self.assertEqual((beyond["count"], beyond["total"], beyond["next_offset"]), (0, 25, None))

    def test_search_read_limit_capped_by_setting(self):
        result = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain,
                                               "fields": ["name"], "limit": 10 ** 9, "count_total": True},
                               settings={"max_records": 7})
        self.assertEqual((result["count"], result["limit"], result["total"]), (7, 7, 25))
        result = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain,
                                               "fields": ["name"]}, settings={"max_records": 4})
        self.assertEqual(result["limit"], 4)

    def test_search_read_passes_limit_to_the_orm(self):
        """A huge table is never loaded whole: the ORM gets the capped limit."""
        Partner = type(self.env["res.partner"])
        original = Partner._search
        calls = []

        def spy(records, domain, offset=0, limit=None, order=None, **kwargs):
            if not (len(domain) == 1 and domain[0][:2] == ("id", "in")):  # the ORM's fetch of known ids
                calls.append(limit)
            return original(records, domain, offset=offset, limit=limit, order=order, **kwargs)

        with patch.object(Partner, "_search", spy):
            result = self.run_tool("search_read", {"model": "res.partner", "limit": 5000, "count_total": True},
                                   settings={"max_records": 50})
        self.assertEqual(calls[0], 51, "the page's search is limited (one more row: is there a next page?)")
        self.assertEqual(result["count"], 50)
        self.assertEqual(result["total"], self.env["res.partner"].search_count([]))

    def test_search_read_bad_arguments(self):
        self.assertToolError("search_read", {"model": "res.partner", "limit": -1}, "limit", ">= 1")
        self.assertToolError("search_read", {"model": "res.partner", "offset": -5}, "offset")
        self.assertToolError("search_read", {"model": "res.partner", "limit": "ten"}, "limit", "integer")
        self.assertToolError("search_read", {"model": "res.partner", "fields": ["nmae"]}, "nmae", "name")
        self.assertToolError("search_read", {"model": "res.partner", "fields": "name"}, "array of field names")
        self.assertToolError("search_read", {"model": "res.partner", "domain": [["nme", "=", "x"]]},
                             "nme", "Did you mean", "name")
        self.assertToolError("search_read", {"model": "res.partner", "domain": [["name", "~", "x"]]},
                             "Invalid domain operator '~' in ['name', '~', 'x']. Valid operators: ")
        self.assertToolError("search_read", {"model": "res.partner", "domain": [["name", "="]]},
                             "[field, operator, value]")
        self.assertToolError("search_read", {"model": "res.partner", "domain": "not json"}, "JSON array")
        self.assertToolError("search_read", {"model": "res.partner", "domain": [["color", "=", "abc"]]},
                             "Invalid value \"abc\" for integer field 'color' in domain: use a number.")
        self.assertToolError("search_read", {"model": "res.partner", "domain": ["|", ["name", "=", "x"]]},
                             MSG_DOMAIN_ARITY % {"operator": "|"})
        self.assertToolError("search_read", {"model": "res.partner", "order": "nmae desc"}, "nmae")

    def test_domain_operators_are_the_guards(self):
        """The tools leave operators to the guard: '<>' and upper-case
        operators (which Odoo's own list lacks) reach the guard's handling."""
        zetas = [["name", "=like", "MCP Zeta %"]]
        everything = self.run_tool("search_read", {"model": "res.partner", "domain": zetas, "fields": ["name"],
                                                   "count_total": True})
        self.assertEqual(everything["total"], 25)
        for operator in ("<>", "!=", "not in", "NOT IN"):
            value = ["MCP Zeta 03"] if operator.lower() == "not in" else "MCP Zeta 03"
            with self.subTest(operator=operator):
                result = self.run_tool("search_read", {"model": "res.partner", "fields": ["name"],
                                                       "domain": zetas + [["name", operator, value]]})
                self.assertEqual(result["total"], 24)
                self.assertNotIn("MCP Zeta 03", [r["name"] for r in result["records"]])
        for operator, value in (("IN", ["MCP Zeta 03", "MCP Zeta 04"]), ("ILike", "zeta 0")):
            with self.subTest(operator=operator):
                result = self.run_tool("count", {"model": "res.partner", "domain": [["name", operator, value]]})
                self.assertEqual(result["count"], 2 if operator == "IN" else 10)
        # '<>' on a relation into a blocked model is an id comparison: allowed with ids, refused with names
        self.assertEqual(self.run_tool("count", {"model": "res.partner",
                                                 "domain": zetas + [["user_id", "<>", False]]})["count"], 0)
        exc = self.assertToolError("search_read", {"model": "res.partner", "domain": [["user_id", "<>", "adm"]]},
                                   exception=McpAccessDenied)
        self.assertEqual(exc.message, MSG_DOMAIN_ID_ONLY % {"field": "user_id", "model": "res.partner",
                                                            "comodel": "res.users"})

    def test_numeric_domain_values(self):
        """Numbers (and false/null) for numeric fields; text operators take patterns."""
        base = [["name", "=like", "MCP Zeta %"]]
        Partner = self.uenv["res.partner"]
        for term in (["color", "=", False], ["color", "in", [0, None]], ["color", "ilike", "0"]):
            with self.subTest(term=term):
                self.assertEqual(self.run_tool("count", {"model": "res.partner", "domain": base + [term]})["count"],
                                 Partner.search_count([tuple(t) for t in base + [term]]))
        self.assertToolError("count", {"model": "res.partner", "domain": [["color", "IN", [0, "1"]]]},
                             "Invalid value \"1\" for integer field 'color' in domain: use a number.")

    def test_search_read_bad_date_in_domain_is_a_clear_error(self):
        self.assertToolError("search_read", {"model": "res.currency.rate",
                                             "domain": [["name", "=", "not-a-date"]]}, "Invalid")
        # the transaction is still usable afterwards
        self.assertEqual(self.run_tool("count", {"model": "res.partner", "domain": self.mcp_domain})["count"], 25)

    def test_search_read_domain_as_json_string(self):
        result = self.run_tool("search_read", {"model": "res.partner", "domain": '[["name", "=", "MCP Zeta 03"]]',
                                               "fields": ["name"]}, check_input=False)
        self.assertEqual([r["name"] for r in result["records"]], ["MCP Zeta 03"])

    def test_search_read_x2many_names(self):
        result = self.run_tool("search_read", {"model": "res.partner", "domain": self.mcp_domain, "limit": 1,
                                               "fields": ["category_id"], "x2many_names": True})
        self.assertEqual(result["records"][0]["category_id"], [{"id": self.tag.id, "display_name": "MCP tag"}])

    def test_unknown_and_blocked_models(self):
        exc = self.assertToolError("search_read", {"model": "res.partnr"}, "res.partnr")
        self.assertIn("res.partner", str(exc.message) + str(getattr(exc, "data", "")))
        with self.assertRaises(McpAccessDenied):
            self.tool("search_read").run(self.make_call({"model": "res.users"}))
        self.assertToolError("search_read", {}, "model")

    def test_blocked_relation_in_fields_or_domain(self):
        """A relation into a blocked model gives ids only; following it is refused."""
        partner = self.partners[0]
        partner.user_id = self.user
        result = self.run_tool("search_read", {"model": "res.partner", "domain": [["id", "=", partner.id]],
                                               "fields": ["user_id"], "x2many_names": True})
        # users are a window of their own: the name where Odoo lets the key's user read the user
        self.assertEqual(result["records"][0]["user_id"], [self.user.id, "MCP Tools User"])
        with self.assertRaises(McpAccessDenied):  # mirrors res.users: not accessible at all
            self.tool("search_read").run(self.make_call({"model": "res.partner", "fields": ["user_ids"]}))
        self.assertToolError("search_read", {"model": "res.partner", "fields": ["user_id.login"]}, "Dotted paths")
        with self.assertRaises(McpAccessDenied):
            self.tool("search_read").run(self.make_call(
                {"model": "res.partner", "domain": [["user_id.login", "=", "admin"]]}))

    # read ------------------------------------------------------------------
    def test_read(self):
        ids = self.partners[:2].ids
        result = self.run_tool("read", {"model": "res.partner", "ids": ids + [999999999], "fields": ["name", "email"]})
        self.assertEqual([r["id"] for r in result["records"]], ids)
        self.assertEqual(result["missing_ids"], [999999999])
        self.assertEqual(set(result["records"][0]), {"id", "name", "email"})
        self.assertToolError("read", {"model": "res.partner", "ids": []}, "ids")
        self.assertToolError("read", {"model": "res.partner", "ids": ["1"]}, "positive integer")
        self.assertToolError("read", {"model": "res.partner", "ids": list(range(1, 12))}, "Too many ids",
                             settings={"max_records": 10})

    # count -----------------------------------------------------------------
    def test_count(self):
        self.assertEqual(self.run_tool("count", {"model": "res.partner", "domain": self.mcp_domain})["count"], 25)
        result = self.run_tool("count", {"model": "res.partner",
                                         "domain": self.mcp_domain + [["is_company", "=", True]]})
        self.assertEqual(result["count"], 13)
        self.assertToolError("count", {"model": "res.partner", "domain": [["bogus", "=", 1]]}, "bogus")

    # name_search -----------------------------------------------------------
    def test_name_search(self):
        result = self.run_tool("name_search", {"model": "res.country", "name": "Belgi"})
        self.assertIn([self.be.id, "Belgium"], result["results"])
        result = self.run_tool("name_search", {"model": "res.partner", "name": "MCP Zeta", "limit": 4})
        self.assertEqual(result["count"], 4)
        result = self.run_tool("name_search", {"model": "res.partner", "name": "MCP Zeta",
                                               "domain": [["is_company", "=", False]]},
                               settings={"max_records": 1000})
        self.assertEqual(result["count"], 12)
        self.assertToolError("name_search", {"model": "res.partner", "operator": "~"}, "operator")

    # get_model_schema --------------------------------------------------------
    def test_get_model_schema(self):
        result = self.run_tool("get_model_schema", {"model": "res.partner"})
        fields = {f["name"]: f for f in result["fields"]}
        self.assertEqual(fields["name"]["type"], "char")
        self.assertEqual(fields["country_id"]["relation"], "res.country")
        self.assertIn(["contact", "Contact"], fields["type"]["selection"])
        # a many2one to users is described (its value is [id, name]; find_user gives ids)
        self.assertEqual(fields["user_id"]["relation"], "res.users")
        self.assertIn("find_user", fields["user_id"]["note"])
        self.assertNotIn("user_ids", fields)
        self.assertIn("user_ids", result["blocked_fields"])
        self.assertEqual(result["count"], len(result["fields"]))
        compact = self.run_tool("get_model_schema", {"model": "res.partner", "compact": True})
        compact_fields = {f["name"]: f for f in compact["fields"]}
        self.assertNotIn("help", compact_fields["lang"])
        self.assertNotIn("store", compact_fields["name"])
        self.assertIn("contact", compact_fields["type"]["selection"])
        small = self.run_tool("get_model_schema", {"model": "res.partner", "fields": ["name", "email"],
                                                   "include_help": False})
        self.assertEqual({f["name"] for f in small["fields"]}, {"name", "email"})
        self.assertTrue(all("help" not in f for f in small["fields"]))
        self.assertToolError("get_model_schema", {"model": "res.partner", "fields": ["emial"]}, "emial", "email")

    def test_get_model_schema_honours_field_groups(self):
        """Fields restricted by groups= the user lacks are not described
        (base + web restrict no field of res.partner: the test restricts one)."""
        def described():
            return {f["name"] for f in self.run_tool("get_model_schema", {"model": "res.partner"})["fields"]}

        self.assertIn("comment", described())
        with patch.object(self.env["res.partner"]._fields["comment"], "groups", "base.group_system"):
            restricted = [n for n, f in self.env["res.partner"]._fields.items()
                          if f.groups and not f.is_accessible(self.uenv)]
            self.assertIn("comment", restricted)
            names = described()
        for fname in restricted:
            self.assertNotIn(fname, names)
        self.assertIn("comment", described())


@tagged("post_install", "-at_install")
class TestSearchReadTotal(ToolsCase):
    """``search_read``'s total reuses the page's query (one ``_search``):
    these tests pin the behaviour of Odoo's ``Query`` it depends on
    (``tools/search_read.py``, ``count_statement``), so an Odoo upgrade that
    changes it fails here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create({"name": "MCP total tag"})
        cls.partners = cls.env["res.partner"].create([
            {"name": "MCP Total %02d" % i, "country_id": cls.env.ref("base.be").id if i % 3 else False,
             "category_id": [(6, 0, cls.tag.ids)] if i % 2 else []}
            for i in range(12)
        ])
        cls.domains = [
            [("name", "=like", "MCP Total %")],
            [("name", "=like", "MCP Total %"), ("category_id.name", "=", "MCP total tag")],
            [("name", "=like", "MCP Total %"), ("country_id.code", "=", "BE")],
            ["|", ("name", "=like", "MCP Total 0%"), ("parent_id.name", "=like", "MCP Total %")],
        ]

    def test_count_statement_is_odoos_own_count(self):
        """For a query without page, the statement is the one ``len(query)``
        (``search_count``) runs, record rules included."""
        Partner = self.uenv["res.partner"]
        for domain in self.domains:
            with self.subTest(domain=domain):
                query = Partner._search(domain)
                self.assertEqual(count_statement(query), query.select("COUNT(*)"))
                paged = Partner._search(domain, offset=1, limit=2, order="country_id, name desc")
                self.assertEqual(self.env.execute_query(count_statement(paged))[0][0], Partner.search_count(domain))

    def test_total_matches_search_count(self):
        """Full pages, pages past the end, orders that join tables and
        fetched fields that join tables (``res.users`` inherits its name from
        its contact) give ``search_count``'s total."""
        cases = [(self.uenv["res.partner"], domain, ["name", "country_id"], "country_id desc, name")
                 for domain in self.domains]
        cases.append((self.env["res.users"], [("login", "=like", "mcp_%")], ["name", "login"], "name"))
        for model, domain, fields, order in cases:
            expected = model.search_count(domain)
            for offset, limit in ((0, 2), (1, 3), (expected, 2), (expected + 5, 2), (0, expected + 1)):
                with self.subTest(model=model._name, domain=domain, offset=offset, limit=limit):
                    records, has_more, total = search_page(model, domain, fields, offset, limit, order, True)
                    self.assertEqual(total, expected)
                    self.assertEqual(has_more, offset + limit < expected)
                    self.assertEqual(records.ids, model.search(domain, offset=offset, limit=limit, order=order).ids)

    def test_statements(self):
        """A page costs its fetch (one more row says whether more follow);
        the count over all pages only with count_total and when more follow."""
        Partner = self.uenv["res.partner"]
        domain = self.domains[1]
        Partner.search_count(domain)  # record rules cached
        self.env.flush_all()
        with self.assertQueryCount(1):
            records, has_more, total = search_page(Partner, domain, ["name"], 0, 2, None)
            self.assertEqual((len(records), has_more, total), (2, True, None))
        with self.assertQueryCount(2):
            self.assertEqual(search_page(Partner, domain, ["name"], 0, 2, None, True)[1:], (True, 6))
        for count_total in (False, True):
            with self.subTest(count_total=count_total), self.assertQueryCount(1):
                self.assertEqual(search_page(Partner, domain, ["name"], 0, 10, None, count_total)[1:], (False, 6))
        with self.assertQueryCount(1):  # exactly a page: no next page, total known
            self.assertEqual(search_page(Partner, domain, ["name"], 0, 6, None)[1:], (False, 6))

    def test_ids_resolved_by_search_are_counted_by_search_count(self):
        """A ``_search`` that filters rows in Python (``ir.attachment`` for a
        non-superuser, ``mail.message``) returns a query holding the page's
        ids only (Odoo's ``_as_query``, ``Query._ids``): the total then comes
        from ``search_count``."""
        Partner = self.env["res.partner"]
        self.assertIsNone(Partner._search([("id", "in", self.partners.ids)])._ids)
        known = self.partners._as_query()
        self.assertEqual(known._ids, tuple(self.partners.ids))
        self.assertIsNone(count_statement(known))
        self.env["ir.attachment"].create([
            {"name": "MCP total %d.txt" % i, "raw": b"x", "res_model": "res.partner", "res_id": self.partners[i].id}
            for i in range(5)])
        Attachment = self.uenv["ir.attachment"]
        domain = [("name", "=like", "MCP total %")]
        self.assertIsNotNone(Attachment._search(domain, limit=2)._ids, "ir.attachment resolves its ids itself")
        records, has_more, total = search_page(Attachment, domain, ["name"], 0, 2, None, True)
        self.assertEqual((len(records), has_more, total), (2, True, 5))
        records, has_more, total = search_page(Attachment, domain, ["name"], 2, 2, None, True)
        self.assertEqual((len(records), has_more, total), (2, True, 5))
        records, has_more, total = search_page(Attachment, domain, ["name"], 4, 2, None)
        self.assertEqual((len(records), has_more, total), (1, False, 5))
