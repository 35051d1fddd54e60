# The SWIG module mirrors sectrans.h one to one (see LOWLEVEL.md): its
# functions and constants carry the C names and are typed as Any here.
from typing import Any

def __getattr__(name: str) -> Any: ...
