# models first: models/ir_http.py imports the transport (services/), which imports models
from . import models
from . import controllers
from . import wizard
