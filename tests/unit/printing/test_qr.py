"""QR codes: the strongest error correction a printable size allows."""

from __future__ import annotations

from vcservice.printing.qr import MAX_PRINTED_VERSION, qr_code

PAGE = "https://verificador.aduanas.example/verify#vc1="


def test_a_certificate_sized_link_gets_level_q_within_the_printable_size() -> None:
    code = qr_code(PAGE + "A" * 650, title="Escanee")
    assert code is not None and code.error == "Q" and code.version <= MAX_PRINTED_VERSION
    assert code.modules == 17 + 4 * code.version
    assert code.svg.startswith('<svg viewBox="0 0 ') and "<title>Escanee</title>" in code.svg
    assert code.designator == f"{code.version}-Q"


def test_a_larger_link_trades_error_correction_for_size() -> None:
    code = qr_code(PAGE + "A" * 1100)
    assert code is not None and code.error in {"M", "L"}
    assert code.version <= MAX_PRINTED_VERSION


def test_past_the_printable_size_the_smallest_symbol_is_drawn() -> None:
    code = qr_code(PAGE + "A" * 2000)
    assert code is not None and code.error == "L" and code.version > MAX_PRINTED_VERSION


def test_what_no_qr_code_holds_gets_none() -> None:
    assert qr_code(PAGE + "A" * 3000) is None
