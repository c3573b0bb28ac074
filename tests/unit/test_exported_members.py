"""The package's public names are deliberate: adding or removing one is an API change."""

import vcservice


def test_public_api_is_pinned() -> None:
    assert sorted(vcservice.__all__) == [
        "Check",
        "Clock",
        "Core",
        "CoreConfig",
        "FixedClock",
        "KeyFile",
        "KeyPair",
        "KeyType",
        "Outcome",
        "Problem",
        "Signer",
        "SystemClock",
        "VcError",
        "VerificationResult",
        "build_core",
        "load_key_file",
        "secure_credential",
    ]
    for name in vcservice.__all__:
        assert getattr(vcservice, name) is not None
