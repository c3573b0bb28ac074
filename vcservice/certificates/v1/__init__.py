"""Version 1 of the certificate data, as issued before version 2.

No longer issued; kept so that credentials issued in this shape keep verifying,
printing and being found.  Their context and schemas are frozen.
"""
