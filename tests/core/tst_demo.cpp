#include <QtTest>

class Test_demo : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_demo)
#include "tst_demo.moc"
