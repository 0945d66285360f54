"""After login the console goes back where the agent was, and never to another site."""
from __future__ import annotations

import pytest

from web.app import _own_path


@pytest.mark.parametrize("target", ["/", "/tickets/INC-000042", "/?status=new&page=2"])
def test_a_path_on_the_console_is_followed(target: str) -> None:
    assert _own_path(target)


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "evil.example", "", "/x\nLocation: //evil.example"])
def test_anything_that_leaves_the_console_is_not(target: str) -> None:
    assert not _own_path(target)
