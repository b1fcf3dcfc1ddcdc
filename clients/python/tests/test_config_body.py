"""The config body sent to the service never carries the API key."""

from alma.api import config_body


def test_an_api_key_in_the_file_is_left_out_of_the_body():
    text = 'alma:\n  project_id: "p"\n  api_key: "alma_0123456789ab_secret"\n  agents:\n    bob:\n'
    content, json, headers = config_body(text)
    assert content is None and headers == {}
    assert json == {"alma": {"project_id": "p", "agents": {"bob": None}}}
    assert "secret" not in str(json)


def test_a_file_without_a_key_is_sent_as_it_is():
    text = "agents:\n  bob:\n    inherit_from: [alice]\n"
    content, json, headers = config_body(text)
    assert content == text.encode() and json is None
    assert headers == {"Content-Type": "application/yaml"}
