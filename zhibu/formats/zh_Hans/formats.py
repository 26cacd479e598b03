"""Chinese date formats where Django's own differ from how dates are written in documents.

Django's zh_Hans ``MONTH_DAY_FORMAT`` is ``m月j日`` ("09月9日"); a notice reads "9月9日".
"""

MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
