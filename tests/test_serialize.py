import base64
import datetime

from markupsafe import Markup

from odoo.tests import tagged

from ..tools.serialize import RecordSerializer, datetime_to_json, json_safe, parse_size
from .tools_common import ToolsCase

# 1x1 transparent PNG
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


class FakeField:
    """The attributes RecordSerializer.value reads, for types base lacks."""

    def __init__(self, name, type, **attrs):
        self.name, self.type = name, type
        self.comodel_name = attrs.pop("comodel_name", None)
        self.currency_field = attrs.pop("currency_field", None)
        for key, value in attrs.items():
            setattr(self, key, value)

    def get_currency_field(self, model):
        return self.currency_field


@tagged("post_install", "-at_install")
class TestSerialize(ToolsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.be = cls.env.ref("base.be")
        cls.tag = cls.env["res.partner.category"].create({"name": "MCP Ser"})
        cls.partner = cls.env["res.partner"].create({
            "name": "MCP Serial", "comment": "<p>Hello <b>you</b></p>", "color": 4, "is_company": True,
            "country_id": cls.be.id, "category_id": [(6, 0, cls.tag.ids)], "image_1920": PNG,
            "type": "contact", "child_ids": [(0, 0, {"name": "MCP Serial Child"})],
        })

    def serialize(self, record, fields, **kwargs):
        record = record.with_env(self.uenv)
        return RecordSerializer(record, fields, **kwargs).serialize(record)[0]

    def test_base_field_types(self):
        row = self.serialize(self.partner, ["name", "comment", "color", "is_company", "active", "country_id",
                                            "parent_id", "category_id", "child_ids", "type", "create_date",
                                            "email", "partner_latitude"])
        self.assertEqual(row["id"], self.partner.id)
        self.assertEqual(row["name"], "MCP Serial")                       # char
        self.assertIsInstance(row["comment"], str)                         # html -> plain str
        self.assertIn("<b>you</b>", row["comment"])
        self.assertEqual(row["color"], 4)                                  # integer
        self.assertIs(row["is_company"], True)                             # boolean
        self.assertEqual(row["country_id"], [self.be.id, "Belgium"])       # many2one
        self.assertIsNone(row["parent_id"])                                # empty many2one
        self.assertEqual(row["category_id"], self.tag.ids)                 # many2many
        self.assertEqual(row["child_ids"], self.partner.child_ids.ids)     # one2many
        self.assertEqual(row["type"], {"value": "contact", "label": "Contact"})  # selection
        self.assertRegex(row["create_date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # datetime UTC
        self.assertIsNone(row["email"])                                    # empty char
        self.assertEqual(row["partner_latitude"], 0.0)                     # float

    def test_text_float_and_date(self):
        country = self.serialize(self.be, ["address_format", "code"])
        self.assertIsInstance(country["address_format"], str)              # text
        rate = self.env["res.currency.rate"].create({
            "name": "2024-02-29", "rate": 1.25, "currency_id": self.env.ref("base.USD").id})
        row = self.serialize(rate, ["name", "rate", "currency_id"])
        self.assertEqual(row["name"], "2024-02-29")                        # date
        self.assertEqual(row["rate"], 1.25)

    def test_x2many_names_and_bound(self):
        tags = self.env["res.partner.category"].create([{"name": "MCP T%d" % i} for i in range(5)])
        self.partner.category_id = [(6, 0, tags.ids)]
        serializer = RecordSerializer(self.partner.with_env(self.uenv), ["category_id"],
                                      x2many_names=True, x2many_limit=3)
        row = serializer.serialize(self.partner.with_env(self.uenv))[0]
        self.assertEqual(row["category_id"], [{"id": t.id, "display_name": t.name} for t in tags[:3]])
        self.assertEqual(serializer.truncated, {"category_id"})

    def test_binary_only_when_asked_and_bounded(self):
        row = self.serialize(self.partner, ["name"])
        self.assertNotIn("image_1920", row)
        row = self.serialize(self.partner, ["image_1920"])
        self.assertEqual(base64.b64decode(row["image_1920"])[:4], b"\x89PNG")
        row = self.serialize(self.partner, ["image_1920"], max_binary_bytes=10)
        self.assertTrue(row["image_1920"]["omitted"])
        self.assertGreater(row["image_1920"]["size"], 10)
        empty = self.env["res.partner"].create({"name": "MCP No Image", "image_1920": False})
        self.assertIsNone(self.serialize(empty, ["image_1920"])["image_1920"])

    def test_binary_through_search_read_setting(self):
        result = self.run_tool("search_read", {"model": "res.partner", "domain": [["id", "=", self.partner.id]],
                                               "fields": ["image_128"]}, settings={"max_binary_bytes": 5})
        self.assertTrue(result["records"][0]["image_128"]["omitted"])

    def test_types_missing_from_base(self):
        serializer = RecordSerializer(self.uenv["res.company"], [])
        company = self.uenv.company
        monetary = FakeField("amount", "monetary", currency_field="currency_id")
        self.assertEqual(serializer.value(monetary, 12.5, company), {"amount": 12.5, "currency": company.currency_id.name})
        self.assertEqual(serializer.value(monetary, 3, None), {"amount": 3, "currency": None})
        self.assertEqual(serializer.value(FakeField("data", "json"), {"a": [1, (2, 3)]}), {"a": [1, [2, 3]]})
        self.assertIsNone(serializer.value(FakeField("data", "json"), False))
        properties = [{"name": "p1", "type": "many2one", "value": (1, "X"), "string": "P1"}]
        self.assertEqual(serializer.value(FakeField("props", "properties"), properties),
                         [{"name": "p1", "type": "many2one", "value": [1, "X"], "string": "P1"}])
        self.assertEqual(serializer.value(FakeField("ref", "reference"), "res.partner,7"), "res.partner,7")
        self.assertIsNone(serializer.value(FakeField("ref", "reference"), False))
        self.assertEqual(serializer.value(FakeField("html", "html"), Markup("<p>x</p>")), "<p>x</p>")
        self.assertEqual(serializer.value(FakeField("res_id", "many2one_reference"), 7), 7)
        self.assertEqual(serializer.value(FakeField("m2o", "many2one", comodel_name="res.users"), (2, "Bob")),
                         [2, "Bob"])

    def test_helpers(self):
        self.assertEqual(datetime_to_json(datetime.datetime(2024, 1, 2, 3, 4, 5)), "2024-01-02T03:04:05Z")
        aware = datetime.datetime(2024, 1, 2, 4, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
        self.assertEqual(datetime_to_json(aware), "2024-01-02T03:04:05Z")
        self.assertEqual(parse_size("12.00 Kb"), 12 * 1024)
        self.assertEqual(parse_size(b"3 MB"), 3 * 1024 * 1024)
        self.assertEqual(parse_size("120 bytes"), 120)
        self.assertIsNone(parse_size("a lot"))
        self.assertEqual(json_safe(self.partner), {"model": "res.partner", "ids": [self.partner.id]})
