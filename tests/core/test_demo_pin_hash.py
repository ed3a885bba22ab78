"""The demo PIN's hash is written in the code (hashing it at every start was slow): it must
still be the hash of the documented demo PIN, with today's settings, and nothing else."""

from kiosk.core import pin
from kiosk.core.config import DEMO_PIN_HASH, load_config


def test_the_written_hash_is_the_demo_pins():
    assert pin.pin_hash_problem(DEMO_PIN_HASH) is None
    assert pin.verify_pin(pin.DEMO_PIN, DEMO_PIN_HASH)
    assert not pin.verify_pin("1357", DEMO_PIN_HASH)
    _, n, r, p, _salt, _digest = DEMO_PIN_HASH.split("$")
    assert (int(n), int(r), int(p)) == (pin.SCRYPT_N, pin.SCRYPT_R, pin.SCRYPT_P)


def test_the_demo_config_opens_the_mediator_mode_with_the_demo_pin():
    config = load_config(None)
    assert config.mediator["pin"] == pin.DEMO_PIN
    assert pin.verify_pin(pin.DEMO_PIN, config.mediator["pin_hash"])
