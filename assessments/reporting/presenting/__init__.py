"""Reports as display values: the template contexts of the individual report and its insight.

Plain strings, cells and rows, so that templates only loop and test; every number passed the
anonymity rule before it gets here, and nothing here decides what may be shown.
"""
