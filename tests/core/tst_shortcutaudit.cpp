#include <QtTest>

class Test_shortcutaudit : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_shortcutaudit)
#include "tst_shortcutaudit.moc"
